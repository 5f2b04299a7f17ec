/** Placeholder: being built. */
export default function Apply() {
  return <div>apply</div>;
}
