/** Placeholder: being built. */
export default function Dashboard() {
  return <div>dashboard</div>;
}
