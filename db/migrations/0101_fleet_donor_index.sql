-- Donor lookup walks the devices of one OS build major newest report first and stops at the first
-- few healthy ones; without this index it sorted every device of the build.
CREATE INDEX fleet_devices_build_last_seen ON devices (os_major, last_seen_at);
