/** Placeholder: being built. */
export default function Home() {
  return <div>home</div>;
}
