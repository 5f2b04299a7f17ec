/** Placeholder: being built. */
export default function My() {
  return <div>my</div>;
}
