/** Placeholder: being built. */
export default function Exchange() {
  return <div>exchange/index</div>;
}
