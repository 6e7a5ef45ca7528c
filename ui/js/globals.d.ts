// Written by hand (ipc.d.ts is generated): the part of Tauri's global API (`withGlobalTauri` in
// tauri.conf.json) that ui/js/api.js uses. Only tsc reads this file; the page never loads it.

interface TauriChannel<T> {
  onmessage: (message: T) => void;
}

interface TauriEvent<T> {
  event: string;
  payload: T;
}

interface Window {
  __TAURI__: {
    core: {
      invoke<T = unknown>(
        command: string,
        args?: Record<string, unknown> | Uint8Array,
        options?: { headers?: Record<string, string> },
      ): Promise<T>;
      Channel: new <T = unknown>() => TauriChannel<T>;
    };
    event: {
      listen<T = unknown>(event: string, handler: (event: TauriEvent<T>) => void): Promise<() => void>;
    };
  };
}
