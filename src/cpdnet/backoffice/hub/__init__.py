"""The hub back office: hub staff plan offerings and decide applications for their hubs."""
