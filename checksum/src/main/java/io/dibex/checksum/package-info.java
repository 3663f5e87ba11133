/**
 * Document reconciliation between the office and its branches (being written).
 */
package io.dibex.checksum;
