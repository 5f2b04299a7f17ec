/** Placeholder: being built. */
export default function Guide() {
  return <div>guide</div>;
}
