// Package actions holds the tests of the GitHub actions under actions/ and
// the workflows under .github/workflows: the setup script's checksum
// check (a plain unit test), and, behind the build tag actions, the real
// workflow and action files run by nektos/act against a fake GitHub API
// (./scripts/test actions installs act and runs them).
package actions
