"""Pure view models: the shareable view, filtering and the frames each page shows (no Streamlit here)."""
