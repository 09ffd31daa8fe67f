"""Progress over time: indicators with measurements, dated milestones, the status a
commitment had on a past date, timelines and roll-ups. The models are imported by
jurisdictions.models so that Django registers them with the jurisdictions app."""
