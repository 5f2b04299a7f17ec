/** Placeholder: being built. */
export default function Catalog() {
  return <div>catalog/index</div>;
}
