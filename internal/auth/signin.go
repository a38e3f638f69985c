package auth

import (
	"context"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// SignIn signs the user in through the browser: MSAL's authorization-code flow with PKCE, the
// authorize URL handed to Config.OpenURL and the answer received on a loopback listener. It
// returns when the sign-in completes, fails, or ctx ends (ErrCancelled). If the URL cannot be
// opened the error wraps ErrNoBrowser; SignInWithDeviceCode is the way out then.
func (a *Authenticator) SignIn(ctx context.Context) (Account, error) {
	const op = "sign-in"
	var openErr error
	open := func(authorizeURL string) error {
		// MSAL calls this on our goroutine, so openErr needs no lock.
		openErr = a.openWithin(ctx, authorizeURL)
		return openErr
	}
	res, err := a.client.AcquireTokenInteractive(ctx, a.scopes, public.WithOpenURL(open))
	if err != nil {
		if openErr != nil && ctx.Err() == nil {
			return Account{}, errorf(op, ErrNoBrowser)
		}
		return Account{}, classify(ctx, op, err, false)
	}
	return a.signedIn(ctx, res), nil
}

// openWithin runs the opener but stops waiting for it when ctx ends, so that an opener which
// blocks (a picker waiting for the user) cannot keep a cancelled sign-in alive.
func (a *Authenticator) openWithin(ctx context.Context, authorizeURL string) error {
	done := make(chan error, 1) // buffered: an abandoned opener must still be able to finish
	go func() { done <- a.openURL(authorizeURL) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SignInWithDeviceCode signs the user in on another device: show is called once with the code
// to enter and where, then the call waits until the sign-in is approved, declined, expires, or
// ctx ends (ErrCancelled). show runs on the caller's goroutine and must not block.
func (a *Authenticator) SignInWithDeviceCode(ctx context.Context, show func(DeviceCode)) (Account, error) {
	const op = "device-code sign-in"
	dc, err := a.client.AcquireTokenByDeviceCode(ctx, a.scopes)
	if err != nil {
		return Account{}, classify(ctx, op, err, false)
	}
	if show != nil {
		show(DeviceCode{
			UserCode:        dc.Result.UserCode,
			VerificationURL: dc.Result.VerificationURL,
			Message:         dc.Result.Message,
			ExpiresAt:       dc.Result.ExpiresOn,
		})
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		return Account{}, classify(ctx, op, err, false)
	}
	return a.signedIn(ctx, res), nil
}

// signedIn records what the sign-in taught us and leaves the new account alone in the cache.
func (a *Authenticator) signedIn(ctx context.Context, res public.AuthResult) Account {
	a.learnName(res)
	if accounts, err := a.client.Accounts(ctx); err == nil {
		for _, other := range accounts {
			if other.HomeAccountID != res.Account.HomeAccountID {
				_ = a.client.RemoveAccount(ctx, other)
			}
		}
	}
	return a.toAccount(res.Account)
}
