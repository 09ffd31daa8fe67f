"""Reports built from recommendations and the published commitments answering them: a
stakeholder submission, a local implementation report or a briefing, as HTML, Word and PDF.

They join both sides of the data, so they live with the jurisdictions app."""
