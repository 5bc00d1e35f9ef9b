"""Pure sensor protocols: firmware_specs/*.toml -> SensorSpec; notification bytes -> samples."""
