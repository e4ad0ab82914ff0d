// Takes indexedDB.databases() away, as in Firefox before 126 and other
// browsers without it: the workers then keep the list of stores themselves.
delete IDBFactory.prototype.databases;
