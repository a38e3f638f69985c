//go:build windows || plan9 || solaris || aix || android

package store

import "os"

// releaseLock has nothing to do here: bbolt locks these systems' files with fcntl or
// LockFileEx, and closing the file releases those locks.
func releaseLock(*os.File) {}
