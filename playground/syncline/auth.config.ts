// DEV ONLY: trusts the playground's own token issuer (see devIssuer.ts). A real app lists its
// auth provider here instead, e.g. { domain: "https://accounts.example.com", applicationID: "..." }.
import { DEV_ISSUER, devKeys } from "./devIssuer";

export default {
  providers: [{ type: "customJwt", issuer: DEV_ISSUER, jwks: { keys: [devKeys.publicJwk] }, algorithm: "ES256" }],
};
