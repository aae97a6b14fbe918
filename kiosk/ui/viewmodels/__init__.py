"""View-models: EventDispatcher subclasses with properties the .kv files bind to."""
