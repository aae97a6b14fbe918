"""好差评 on the terminal: the rating dictionary (cached from central, shipped default) and the
rating a session hands to the outbox."""
