"""What several pages use: URL/session state and its keys, friendly errors, the page list, the
optimizer widgets, and the rule for which runs wait for a press."""
