"""The pages users navigate to, one module each: read state, call the view model, render."""
