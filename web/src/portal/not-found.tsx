/** Placeholder: being built. */
export default function NotFound() {
  return <div>not-found</div>;
}
