"""The Streamlit layer: one module per page, shared state, translations, charts and pure views."""
