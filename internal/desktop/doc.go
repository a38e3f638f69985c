// Package desktop holds the app's manners towards the desktop it runs on: starting at login when the
// technician asks for it, staying a single instance per user, and leaving a crash report that keeps
// no secrets. It does not import Fyne; the app wires these to its window and settings.
//
// # Autostart
//
// NewAutostart returns the writer for the running platform; each writer takes its location as a
// field, so all three are tested on any platform with the exact bytes they write.
//
//   - Linux and other XDG desktops: $XDG_CONFIG_HOME/autostart/com.rescuecompanion.app.desktop. A user
//     entry replaces a system-wide entry of the same name (XDG Autostart spec), so Enable always writes a
//     complete entry, which also overrides a system entry that is Hidden or disabled. Disable deletes the
//     user entry, unless a system-wide entry exists (the .deb installs one, disabled): then it writes a
//     user entry with Hidden=true, so that the choice holds whatever the package later ships.
//   - macOS: ~/Library/LaunchAgents/com.rescuecompanion.app.plist, written atomically. It is not loaded
//     with launchctl: launchd reads it at the next login, which is when it matters.
//   - Windows: the value "Rescue Companion" under HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
//
// # Single instance
//
// Acquire makes the first launch the instance and turns later launches into a request to show it.
// The instance holds an exclusive lock on a file in a private directory for as long as it runs
// (flock on Unix, LockFileEx on Windows); the kernel drops the lock when the process dies, so a crash
// never leaves a stale claim behind, and what a crashed instance left (a socket file, an address file)
// is removed by whoever takes the lock next. The instance then listens:
//
//   - Linux and macOS: a Unix domain socket, mode 0600, in a 0700 directory owned by the user
//     ($XDG_RUNTIME_DIR/rescue-companion, else the user cache directory). The directory is the real
//     guard: macOS ignores a socket file's mode on connect.
//   - Windows: a TCP listener on 127.0.0.1, port chosen by the system, whose address and a random
//     256-bit token are written to a file in the user's cache directory (protected by the profile's
//     ACL). A client must send the token first. Nothing beyond the standard library and
//     golang.org/x/sys (already a dependency) is needed.
//
// The request is fixed: an optional token line, then the line "show". Anything else is dropped
// without an answer. The instance answers "ok" and then calls onShow.
//
// # Crash log
//
// InstallCrashLog chooses where reports go and how they are redacted; Guard (and Go for goroutines)
// turns a panic into a report in <user cache dir>/rescue-companion/crash-<UTC time>.log, keeping the
// newest five, and ends the process with CrashExitCode. The panic message and stack pass through the
// app's redaction and then always through Redact, so a forgotten secret still has a second net.
// A panic in a goroutine not started through Go still crashes the process the runtime's way, with
// no report: the runtime's own crash output cannot be redacted in-process.
//
// # Choices where nothing fixes the form
//
//   - The .deb's system entry (/etc/xdg/autostart, same file name) may be switched off with Hidden=true,
//     X-GNOME-Autostart-enabled=false or both; either counts as off.
//   - The Windows Run value is per user only. A per-machine value (the MSI's AUTOSTART=1, under HKLM)
//     is neither reported by Enabled nor removed by Disable; a second copy started by it meets the
//     single-instance check and exits.
//   - A later launch that finds the lock taken but gets no answer (the instance is starting, or
//     stuck) still gets ErrAlreadyRunning, wrapped with the reason: the lock proves an instance runs.
//   - Guard exits with status 2 rather than panicking again: a second panic would print the
//     unredacted message to standard error.
package desktop
