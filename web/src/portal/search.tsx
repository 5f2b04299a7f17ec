/** Placeholder: being built. */
export default function Search() {
  return <div>search</div>;
}
