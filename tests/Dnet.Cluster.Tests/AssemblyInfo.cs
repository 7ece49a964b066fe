// The members under test share one redis-server per class and its fixed membership keys.
[assembly: DoNotParallelize]
