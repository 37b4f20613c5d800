//! PET uptake from an SUV volume and a label mask: SUVmax, SUVpeak, SUVmean, MTV and TLG per segmentation method.
