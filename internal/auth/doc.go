// Package auth signs the technician in to Entra ID for Dynamics 365 and hands out access tokens.
//
// It is the only importer of MSAL for Go. It runs MSAL's public-client flows (interactive
// through the system browser with PKCE, and device code), asks for the scope
// "<Dynamics URL>/user_impersonation", and keeps MSAL's token cache sealed on disk.
//
// # Token cache
//
// MSAL's serialized cache (a few kilobytes) is too big for one keyring entry on Windows and
// macOS, so it is sealed with AES-256-GCM into Config.CacheFile and only the random key sits in
// the keyring, under the name "msal-cache-key". The file is written atomically (temporary file,
// fsync, rename) with mode 0600 in a directory created 0700. MSAL asks the cache to load before
// it reads and to save after it writes; the file is re-read on every load so that a sign-in or
// sign-out by another process (the CLI next to the tray app) is seen.
//
// When the keyring is missing or locked, or the file cannot be read, opened or written, the
// cache lives in MSAL's memory for the rest of the session and Persistence reports why. The
// file is then left alone: a file sealed under a key this session cannot read is not
// overwritten, so nothing is lost if the keyring comes back. SignOut deletes the file and the
// key and starts afresh, which is the way out of a file that will never open again.
//
// # Errors
//
// MSAL's errors can quote whole HTTP exchanges. None of that reaches an error string here:
// failures are reported as *Error, which carries what was being done, the HTTP status, the OAuth
// error code and the AADSTS number (none of which is secret), and unwraps to one of
// ErrSignInRequired, ErrCancelled, ErrNoBrowser, ErrUnreachable, ErrProvider, or to
// context.DeadlineExceeded. Nothing is logged.
//
// Choices where the references are unconfirmed:
//   - Forcing a refresh: MSAL for Go has no force-refresh option, but it skips its cached access
//     token whenever a silent request carries claims. Refresh passes the claims challenge shape
//     Entra itself sends for Continuous Access Evaluation,
//     {"access_token":{"nbf":{"essential":true,"value":"<unix time>"}}}, with a fixed moment in
//     the past (2023-11-14) as the value, so that any comparison the service might make with it
//     is satisfied by the tokens we hold. How real Entra treats this claim in a refresh_token
//     grant is not documented; the sandbox ignores it.
//   - A refresh token the service refuses (invalid_grant, interaction_required, login_required,
//     consent_required) removes the account from the cache, so that every process sees "signed
//     out" rather than serving an access token that was revoked with it. A failure on this side
//     (network, timeout) never removes it.
//   - AADSTS65004 (the user declined on the sign-in page) is reported as ErrCancelled.
//   - Instance discovery is turned off for authority hosts that are not Microsoft's sign-in
//     hosts (the list MSAL trusts). With it on, MSAL would ask login.microsoftonline.com about
//     the authority before every first call, which fails offline and leaks the sandbox's address.
//   - An empty TenantID means "organizations": Dataverse accepts work and school accounts only.
//   - Each sign-in keeps one account in the cache: after a successful sign-in any other account
//     is removed, so Account and Token never have to choose.
//   - Account.Name comes from the id_token, which MSAL only hands back with a token: it is empty
//     until the first sign-in or Token call of the session.
package auth
