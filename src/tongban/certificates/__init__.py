"""Electronic certificates (电子证照): issue, sign (JWS/EdDSA, VC 2.0), render (PDF), verify, revoke."""
