"""Body-motion model: exercise scripts -> what an IMU on the lower back measures (with truth)."""
