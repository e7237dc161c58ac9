"""The Streamlit app (`streamlit run app/main.py`): views in app/views, widgets in components."""
