// The "Dnet" ActivitySource is process-wide: every test node listens to every frame, so tests must not overlap.
[assembly: DoNotParallelize]
