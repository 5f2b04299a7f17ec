/** Placeholder: being built. */
export default function Directory() {
  return <div>directory</div>;
}
