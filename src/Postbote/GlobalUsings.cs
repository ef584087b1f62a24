// Queue control (list, show, flush, hold, release, bounce, delete) lives in Postbote.Queue so that the CLI, the admin
// endpoint and the dashboard (Postbote.Web) share one implementation.
global using Postbote.Queue.Control;
