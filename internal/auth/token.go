package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// forceRefreshClaims makes MSAL skip its cached access token and redeem the refresh token
// (see the package comment). 1700000000 is 2023-11-14T22:13:20Z.
const forceRefreshClaims = `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`

// Account returns the signed-in account from the token cache, if there is one. It does not
// touch the network.
func (a *Authenticator) Account(ctx context.Context) (Account, bool) {
	acc, ok, err := a.currentAccount(ctx)
	if err != nil || !ok {
		return Account{}, false
	}
	return a.toAccount(acc), true
}

// Token returns an access token for the resource without user interaction: from the cache, or
// by redeeming the refresh token when the cached one is about to expire. The error wraps
// ErrSignInRequired when there is no account or the service refused the refresh token.
func (a *Authenticator) Token(ctx context.Context) (string, error) {
	return a.silent(ctx, "token", false)
}

// Refresh is Token for after a 401: it skips the cached access token, which the resource has
// just refused, and redeems the refresh token for a new one.
func (a *Authenticator) Refresh(ctx context.Context) (string, error) {
	return a.silent(ctx, "refresh", true)
}

func (a *Authenticator) silent(ctx context.Context, op string, force bool) (string, error) {
	acc, ok, err := a.currentAccount(ctx)
	if err != nil {
		return "", classify(ctx, op, err, true)
	}
	if !ok {
		return "", errorf(op, ErrSignInRequired)
	}
	opts := []public.AcquireSilentOption{public.WithSilentAccount(acc)}
	if force {
		opts = append(opts, public.WithClaims(forceRefreshClaims))
	}
	res, err := a.client.AcquireTokenSilent(ctx, a.scopes, opts...)
	if err != nil {
		e := classify(ctx, op, err, true)
		if errors.Is(e, ErrSignInRequired) && e.Status != 0 {
			// The service refused the refresh token: forget the account, so that no process
			// goes on serving its access token, which was most likely revoked with it. Only
			// the service's word counts; a failure on this side never signs anyone out.
			_ = a.client.RemoveAccount(context.WithoutCancel(ctx), acc)
		}
		return "", e
	}
	a.learnName(res)
	return res.AccessToken, nil
}

// SignOut removes the account from the cache, then deletes the cache file and its key from the
// keyring. It works offline; nothing is revoked at the service.
func (a *Authenticator) SignOut(ctx context.Context) error {
	accounts, err := a.client.Accounts(ctx)
	if err == nil {
		for _, acc := range accounts {
			_ = a.client.RemoveAccount(ctx, acc)
		}
	}
	a.mu.Lock()
	clear(a.names)
	a.mu.Unlock()
	if err := a.cache.forget(ctx); err != nil {
		return fmt.Errorf("auth: sign-out: the token cache file could not be deleted: %w", err)
	}
	return nil
}

// Persistence reports whether the sign-in is saved for the next session; when not, reason is a
// one-line explanation for the user. The first call may wait on the keyring (a few seconds at
// most), so call it off the UI goroutine.
func (a *Authenticator) Persistence() (ok bool, reason string) {
	return a.cache.persistence(context.Background())
}

// currentAccount returns the cached account. There is one after any sign-in (signedIn removes
// the others); should a cache from elsewhere hold several, the choice is at least stable.
func (a *Authenticator) currentAccount(ctx context.Context) (public.Account, bool, error) {
	accounts, err := a.client.Accounts(ctx)
	if err != nil || len(accounts) == 0 {
		return public.Account{}, false, err
	}
	return slices.MinFunc(accounts, func(x, y public.Account) int {
		return strings.Compare(x.HomeAccountID, y.HomeAccountID)
	}), true, nil
}

// learnName keeps the display name from an id_token, which the cached account lacks.
func (a *Authenticator) learnName(res public.AuthResult) {
	if res.IDToken.Name == "" || res.Account.HomeAccountID == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.names[res.Account.HomeAccountID] = res.IDToken.Name
}

func (a *Authenticator) toAccount(acc public.Account) Account {
	a.mu.Lock()
	defer a.mu.Unlock()
	return Account{
		Username:      acc.PreferredUsername,
		Name:          a.names[acc.HomeAccountID],
		HomeAccountID: acc.HomeAccountID,
		TenantID:      acc.Realm,
	}
}
