"""The study page (issue 16): participants, their randomisation state and the randomise button."""
