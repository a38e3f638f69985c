// Package companion holds the use cases that join the services: "my open cases" with its local copy,
// and (as they arrive) PIN codes for a case, session tracking and the write-back to Dynamics. It talks
// to the clients through small interfaces it declares itself, so each use case is tested with fakes
// and with the sandbox alike.
package companion
