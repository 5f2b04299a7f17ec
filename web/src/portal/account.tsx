/** Placeholder: being built. */
export default function Account() {
  return <div>account</div>;
}
