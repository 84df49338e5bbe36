"""The officials' console: server-rendered pages in Chinese, served by the API's app under
``/console``, every asset its own (政务网 are often offline)."""
