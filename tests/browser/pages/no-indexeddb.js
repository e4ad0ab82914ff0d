// IndexedDB as some private modes and locked-down browsers offer it: present,
// but every open fails.
Object.defineProperty(self, 'indexedDB', {
  configurable: true,
  value: {
    open() {
      throw new DOMException('IndexedDB is not available in this context', 'InvalidStateError');
    },
    deleteDatabase() {
      throw new DOMException('IndexedDB is not available in this context', 'InvalidStateError');
    },
    databases: async () => [],
  },
});
