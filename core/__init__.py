"""App-agnostic infrastructure the apps share (no models of its own, not an installed app)."""
