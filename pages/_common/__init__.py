"""What several pages use: URL/session state and its keys, friendly errors, the page list, the
optimizer widgets, torch's threads while training, the rule for which runs wait for a press,
and the imports warmed up before any page draws."""
