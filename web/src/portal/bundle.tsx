/** Placeholder: being built. */
export default function Bundle() {
  return <div>bundle</div>;
}
