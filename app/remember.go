package main

import (
	"context"

	"github.com/rescuecompanion/rescue-companion/internal/secrets"
)

// remembering passes every value it reads or writes to the crash log's list of secrets, so that a
// crash report can never show the auth code or a sealing key, whatever a stack trace holds.
type remembering struct{ secrets.Store }

func remember(s secrets.Store) secrets.Store { return remembering{s} }

func (r remembering) Get(ctx context.Context, key string) (string, error) {
	v, err := r.Store.Get(ctx, key)
	knownSecrets.Add(v)
	return v, err
}

func (r remembering) Set(ctx context.Context, key, value string) error {
	knownSecrets.Add(value)
	return r.Store.Set(ctx, key, value)
}
