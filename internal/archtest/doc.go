// Package archtest holds no code, only a test that enforces the house rules of design.md §3 on the
// import graph: which packages may import Fyne, go-keyring, MSAL, pkg/browser and net/http.
package archtest
