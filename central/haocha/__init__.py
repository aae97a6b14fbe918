"""好差评 in central: the rating dictionary, the full rating record, the 差评 follow-up workflow
with working-day deadlines, and the statistics (forwarding is central.province)."""
