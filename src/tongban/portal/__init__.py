"""The public portal: home, audience sections, login, My space and the firm's space."""
