/** Placeholder: being built. */
export default function OidcClients() {
  return <div>oidc-clients</div>;
}
