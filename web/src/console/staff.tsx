/** Placeholder: being built. */
export default function Staff() {
  return <div>staff</div>;
}
