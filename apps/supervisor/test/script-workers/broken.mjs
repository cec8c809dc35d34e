// A script worker that fails while loading, as a broken install would.
throw new Error("engine missing");
