/** Placeholder: being built. */
export default function Login() {
  return <div>login</div>;
}
