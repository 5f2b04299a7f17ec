/** Placeholder: being built. */
export default function Calendar() {
  return <div>calendar</div>;
}
