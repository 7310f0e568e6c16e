-- Temporal's auto-setup creates its own databases; this only makes sure the bot role may do so.
ALTER ROLE bot CREATEDB;
